import type { DashboardFilters } from './types.ts';

/** The CSV download of a saved widget under the filters shown (a GET: a plain link downloads it). */
export function csvUrl(dashboardId: number, widgetId: string, filters: DashboardFilters, locale: string) {
  const query = new URLSearchParams({ filters: JSON.stringify(filters) });
  if (locale) query.set('locale', locale);
  return `/api/v1/dashboards/${dashboardId}/widgets/${encodeURIComponent(widgetId)}/data.csv?${query}`;
}

export function download(href: string, fileName: string) {
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export const fileNameOf = (title: string, extension: string) =>
  `${
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase()
      .slice(0, 60) || 'widget'
  }-${new Date().toISOString().slice(0, 10)}.${extension}`;

// What an SVG needs to look the same outside the page: recharts and Mantine colour it through CSS
// (variables, classes), which a serialised SVG drawn on a canvas no longer has.
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-opacity',
  'stroke-dasharray',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
  'display',
] as const;

function inlineStyles(source: Element, target: Element) {
  const computed = getComputedStyle(source);
  const style = STYLE_PROPERTIES.map((p) => `${p}:${computed.getPropertyValue(p)}`).join(';');
  target.setAttribute('style', style);
  const sources = source.children;
  const targets = target.children;
  for (let i = 0; i < sources.length && i < targets.length; i++) inlineStyles(sources[i]!, targets[i]!);
}

/** An SVG of the page as an image: cloned, its computed styles inlined, serialised, decoded. */
async function svgImage(svg: SVGSVGElement): Promise<HTMLImageElement> {
  const box = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  inlineStyles(svg, clone);
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(box.width));
  clone.setAttribute('height', String(box.height));
  const text = new XMLSerializer().serializeToString(clone);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  return image;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/**
 * A widget as a PNG: its title, then its charts (every SVG in its body, drawn where it sits) or,
 * for widgets made of text (a KPI, a table), their rows written out. No library: the SVG is
 * serialised with XMLSerializer, drawn on a canvas, and the canvas saved with toBlob.
 */
export async function exportPng(body: HTMLElement, title: string, rows: string[][], fileName: string) {
  const scale = 2;
  const pad = 16;
  const titleHeight = 28;
  const area = body.getBoundingClientRect();
  const svgs = [...body.querySelectorAll<SVGSVGElement>('svg.recharts-surface, svg[data-chart]')].filter(
    (s) => s.getBoundingClientRect().width > 0,
  );
  const measure = document.createElement('canvas').getContext('2d')!;
  measure.font = `13px ${FONT}`;
  const widths = rows.reduce<number[]>((acc, row) => {
    row.forEach((cell, i) => {
      acc[i] = Math.max(acc[i] ?? 0, Math.min(320, measure.measureText(cell).width + 16));
    });
    return acc;
  }, []);
  const textWidth = widths.reduce((s, w) => s + w, 0);
  // Charts: the box around them (not the card's empty space); text: the rows' own size.
  const boxes = svgs.map((svg) => svg.getBoundingClientRect());
  const left = Math.min(...boxes.map((b) => b.left), area.right);
  const topmost = Math.min(...boxes.map((b) => b.top), area.bottom);
  const width = Math.ceil(
    svgs.length ? Math.max(...boxes.map((b) => b.right)) - left : Math.max(textWidth, 240),
  );
  const height = Math.ceil(
    svgs.length ? Math.max(...boxes.map((b) => b.bottom)) - topmost : rows.length * 22 + 8,
  );

  const canvas = document.createElement('canvas');
  canvas.width = (width + 2 * pad) * scale;
  canvas.height = (height + titleHeight + 2 * pad) * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width + 2 * pad, height + titleHeight + 2 * pad);
  ctx.fillStyle = '#212529';
  ctx.font = `600 16px ${FONT}`;
  ctx.textBaseline = 'top';
  ctx.fillText(title, pad, pad);

  const top = pad + titleHeight;
  if (svgs.length) {
    for (const [i, svg] of svgs.entries()) {
      const box = boxes[i]!;
      ctx.drawImage(
        await svgImage(svg),
        pad + box.left - left,
        top + box.top - topmost,
        box.width,
        box.height,
      );
    }
  } else {
    rows.forEach((row, r) => {
      let x = pad;
      ctx.font = r === 0 ? `600 13px ${FONT}` : `13px ${FONT}`;
      row.forEach((cell, i) => {
        ctx.fillText(cell, x, top + r * 22, (widths[i] ?? 100) - 8);
        x += widths[i] ?? 100;
      });
    });
  }
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not make the image');
  const url = URL.createObjectURL(blob);
  download(url, fileName);
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
