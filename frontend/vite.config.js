import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The editor is one bundle with fixed names, mounted by templates/editor.html; the execution
// page's step inspector another (run.js, templates/execution.html); the charts of
// the server-rendered pages are another (dashboard.js, templates/operations/_runs_chart.html).
export default defineConfig({
  plugins: [react()],
  base: '/static/dist/',
  build: {
    outDir: '../app/static/dist',
    emptyOutDir: true,
    rollupOptions: {
      input: { editor: 'src/main.jsx', run: 'src/run.jsx', dashboard: 'src/dashboard.js' },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'editor-[name].js',
        assetFileNames: 'editor.[ext]',
      },
    },
  },
  test: { environment: 'node' },
});
