// The modeler is desk-first: below this width the studio shows lists and read-only diagrams only.
import { onBeforeUnmount, ref } from 'vue'

const QUERY = '(min-width: 900px)'

export const isDesk = () => window.matchMedia(QUERY).matches

/** Whether the window is desk-wide now (follows resizing). */
export function useDesk() {
  const media = window.matchMedia(QUERY)
  const desk = ref(media.matches)
  const update = () => { desk.value = media.matches }
  media.addEventListener('change', update)
  onBeforeUnmount(() => media.removeEventListener('change', update))
  return desk
}
