// Small shared rules of the 好差评 pages: the five levels (docs/ratings.md "Levels"), rates as
// percentages, the scheme read once per page load.
export const LEVELS = [5, 4, 3, 2, 1]
export const isBad = (level) => level <= 2
export const stars = (level) => '★'.repeat(level) + '☆'.repeat(5 - level)

/** A fraction 0..1 as a percentage with one decimal; null (no denominator) as a dash. */
export function percent(share) {
  return share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`
}

/** An indicator's name in the reader's language. */
export const indicatorName = (indicator, locale) => (locale === 'en' ? indicator.name_en : indicator.name_zh) || indicator.code

let schemePromise = null
/** GET /ratings/scheme once (public, the same for everyone); a failure is retried next time. */
export function loadScheme(api) {
  schemePromise ||= api.get('ratings/scheme').catch((error) => { schemePromise = null; throw error })
  return schemePromise
}

/** The day (Beijing time) of an ISO date or instant; a bare date stays as it is. */
export function day(value) {
  if (!value) return '—'
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value
  return new Date(value).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })
}
