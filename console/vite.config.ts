import { defineConfig } from 'vite';

// The console: a Preact app bundled into dist/console, served by `segue serve` at /console.
export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    // One app, one chunk of our own and the libraries: no CDN, works offline.
    chunkSizeWarningLimit: 800,
    sourcemap: false,
  },
  logLevel: 'warn',
});
