// The read-only canvas of the template pages (gallery, template, publish preview): each
// element with data-flow-preview holds its flow, the catalog entries of its steps and the
// connectors' icons as JSON (written by app/web/gallery.py), and becomes a React Flow canvas.
// A bundle of its own (preview.js), so those pages do not load the editor.
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import './preview.css';
import FlowPreview from './components/FlowPreview.jsx';
import { createI18n } from './i18n.js';

const i18n = createI18n(document.documentElement.lang || 'en');

for (const mount of document.querySelectorAll('[data-flow-preview]')) {
  const { graph, catalog, icons } = JSON.parse(mount.querySelector('script').textContent);
  const canvas = mount.querySelector('.flow-preview-canvas');
  createRoot(canvas).render(
    <I18nextProvider i18n={i18n}>
      <FlowPreview graph={graph} catalog={catalog} icons={icons} label={mount.dataset.label} />
    </I18nextProvider>,
  );
}
