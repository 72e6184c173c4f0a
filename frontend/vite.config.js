import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The editor is one bundle with fixed names, mounted by templates/editor.html; the charts of
// the server-rendered pages are another (dashboard.js, templates/operations/_runs_chart.html),
// the read-only canvas of the template pages a third (preview.js and preview.css,
// templates/_gallery.html), the execution page's step inspector a fourth (run.js, styled by
// editor.css, templates/execution.html).
export default defineConfig({
  plugins: [react()],
  base: '/static/dist/',
  build: {
    outDir: '../app/static/dist',
    emptyOutDir: true,
    rollupOptions: {
      input: {
        editor: 'src/main.jsx',
        run: 'src/run.jsx',
        dashboard: 'src/dashboard.js',
        preview: 'src/preview.jsx',
      },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'editor-[name].js',
        assetFileNames: '[name].[ext]',
      },
    },
  },
  test: { environment: 'node' },
});
