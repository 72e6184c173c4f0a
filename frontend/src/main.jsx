import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import './styles.css';
import App from './App.jsx';
import { createI18n } from './i18n.js';

const mount = document.getElementById('editor');
if (mount) {
  createRoot(mount).render(
    <I18nextProvider i18n={createI18n(mount.dataset.lang || 'en', document.body.dataset.timeZone)}>
      <App flowId={mount.dataset.flowId} readOnly={mount.dataset.readOnly === 'true'} />
    </I18nextProvider>,
  );
}
