import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The console is served by the Lawful server at /admin/; in `npm run dev` Vite proxies the API to it. */
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Nothing inline: the server's CSP allows scripts and styles from its own origin only (check 64).
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
