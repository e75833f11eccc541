// An API error in the reader's language: the translation of its stable `code` (errors.<code>),
// else the server's own detail; the offending field is named when the server gave one.
import { i18n } from './i18n'

export function errorText(error) {
  const { t, te } = i18n.global
  if (!error) return ''
  const code = error.code
  const key = `errors.${code}`
  const text = code && te(key) ? t(key) : (error.message || t('errors.unknown'))
  return error.field && !text.includes(error.field) ? `${text}（${error.field}）` : text
}
