// Dates as the applicant reads them: the day in Beijing time (the API sends UTC instants; a
// promised date near midnight UTC would otherwise show the wrong day in the browser's zone).
const FORMATS = {}

export function formatDate(value, locale, withTime = false) {
  if (!value) return ''
  const key = `${locale}|${withTime}`
  FORMATS[key] ||= new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit', hour12: false } : {}),
  })
  return FORMATS[key].format(new Date(value))
}

// An item's name for a case (cases carry only the item's code): the public catalogue, read once.
let itemsPromise = null
export function itemNames(api) {
  itemsPromise ||= api.get('catalogue/items')
    .then((items) => Object.fromEntries(items.flatMap((i) => [[i.code, i.name], [i.local_code, i.name]])))
    .catch(() => { itemsPromise = null; return {} })
  return itemsPromise
}
