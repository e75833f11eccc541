// zh-CN first, English available. Each area of the console keeps its texts in its own file under
// messages/ ({'zh-CN': {...}, en: {...}}); they are merged here, so pages never share a file.
import { createI18n } from 'vue-i18n'

const LANGS = ['zh-CN', 'en']
const modules = import.meta.glob('./messages/*.js', { eager: true })
const messages = { 'zh-CN': {}, en: {} }
for (const module of Object.values(modules)) {
  for (const lang of LANGS) Object.assign(messages[lang], module.default[lang] || {})
}

function initialLocale() {
  const saved = localStorage.getItem('lianban.lang')
  return LANGS.includes(saved) ? saved : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages,
  missingWarn: false,
  fallbackWarn: false,
})

export function setLocale(lang) {
  i18n.global.locale.value = lang
  localStorage.setItem('lianban.lang', lang)
  document.documentElement.lang = lang
}

document.documentElement.lang = i18n.global.locale.value
