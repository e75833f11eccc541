// Only the parts of ECharts the supervisor dashboard draws (bar, line, their axes, legend,
// tooltip, the target mark line, the aria description) on a canvas. Loaded with import() by
// DashChart.vue, so no other page downloads it.
import { use, init } from 'echarts/core'
import { BarChart, LineChart } from 'echarts/charts'
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

use([BarChart, LineChart, AriaComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  CanvasRenderer])

export { init }
