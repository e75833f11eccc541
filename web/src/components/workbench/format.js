// Dates as a clerk reads them: Beijing time whatever the browser's zone (deadlines are set in
// China time), and names masked after the first character as the API masks them.
const ZONE = 'Asia/Shanghai'

export function formatDateTime(value, locale) {
  if (!value) return ''
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(value))
}

export function formatDate(value, locale) {
  if (!value) return ''
  // a plain date (YYYY-MM-DD) is a calendar day already; only instants move to Beijing time
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  }).format(new Date(value))
}

export function maskName(name) {
  if (!name) return ''
  const chars = Array.from(String(name).trim())
  return chars.length <= 1 ? chars.join('') : chars[0] + '*'.repeat(chars.length - 1)
}
