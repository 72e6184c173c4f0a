import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import App from './App.jsx';

const mount = document.getElementById('editor');
if (mount) {
  createRoot(mount).render(<App
      flowId={mount.dataset.flowId}
      lang={mount.dataset.lang || 'en'}
      readOnly={mount.dataset.readOnly === 'true'}
    />);
}
