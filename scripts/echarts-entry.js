// The parts of ECharts this app draws: bar, line, radar, box plot and parallel
// coordinates, with grid, legend, tooltip, radar and parallel components, on canvas.
import * as echarts from "echarts/core";
import { BarChart, LineChart, RadarChart, BoxplotChart, ParallelChart } from "echarts/charts";
import {
  GridComponent, LegendComponent, TooltipComponent, RadarComponent, ParallelComponent,
  AriaComponent, TitleComponent, MarkLineComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";
echarts.use([
  BarChart, LineChart, RadarChart, BoxplotChart, ParallelChart,
  GridComponent, LegendComponent, TooltipComponent, RadarComponent, ParallelComponent,
  AriaComponent, TitleComponent, MarkLineComponent, CanvasRenderer,
]);
window.echarts = echarts;
