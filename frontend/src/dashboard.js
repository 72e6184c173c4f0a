// Charts on the server-rendered pages (the dashboard, a flow's runs): a canvas with
// data-runs-chart="<stats URL>" becomes a bar chart of runs and failures per hour.
// A bundle of its own (dashboard.js), so pages without the editor do not load React.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from 'chart.js';
import { catalogOf } from './locales.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);


export function chartConfig(flow, hours, lang, large, timeZone) {
  const words = catalogOf(lang);
  const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', timeZone });
  return {
    type: 'bar',
    data: {
      labels: hours.map((hour) => time.format(new Date(hour))),
      datasets: [
        { label: words.status_succeeded, data: flow.succeeded, backgroundColor: '#1f7a4d' },
        { label: words.status_failed, data: flow.failed, backgroundColor: '#b42318' },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: large } },
      scales: {
        x: { stacked: true, display: large, ticks: { maxTicksLimit: 12 } },
        y: { stacked: true, display: large, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

async function draw(canvases) {
  const byUrl = new Map();
  for (const canvas of canvases) {
    const url = canvas.dataset.runsChart;
    if (!byUrl.has(url)) {
      byUrl.set(url, fetch(url, { credentials: 'same-origin' }).then((reply) => reply.json()));
    }
    let stats;
    try {
      stats = await byUrl.get(url);
    } catch {
      continue; // left for another page, or offline: a missing chart is not worth an error
    }
    const flow = stats.flows.find((found) => found.id === canvas.dataset.flow);
    if (flow) {
      const { lang } = document.documentElement;
      const { timeZone } = document.body.dataset;
      new Chart(canvas, chartConfig(flow, stats.hours, lang, 'large' in canvas.dataset, timeZone));
      canvas.dataset.drawn = 'true';
    }
  }
}

if (typeof document !== 'undefined') {
  draw(document.querySelectorAll('canvas[data-runs-chart]'));
}
