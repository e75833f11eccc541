// Vite builds the console into web/dist; Flask serves it from there (api/console.py), so the
// pages load nothing from another origin and work on an offline government network.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  define: {
    // vue-i18n: JIT message compilation (no eval, so the Content-Security-Policy can forbid it)
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,          // no data: URLs for scripts; fonts and images stay files
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // the framework in one long-cached chunk; each page its own chunk, loaded when visited
        manualChunks: { framework: ['vue', 'vue-router', 'vue-i18n'] },
      },
    },
  },
  // `npx vite` for live reload against `./dev run`'s API (port 8400)
  server: { proxy: { '/api': 'http://127.0.0.1:8400' } },
})
