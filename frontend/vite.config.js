import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The editor is one bundle with fixed names, mounted by templates/editor.html.
export default defineConfig({
  plugins: [react()],
  base: '/static/dist/',
  build: {
    outDir: '../app/static/dist',
    emptyOutDir: true,
    rollupOptions: {
      input: 'src/main.jsx',
      output: {
        entryFileNames: 'editor.js',
        chunkFileNames: 'editor-[name].js',
        assetFileNames: 'editor.[ext]',
      },
    },
  },
  test: { environment: 'node' },
});
