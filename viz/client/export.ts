// Export: the diagram as SVG or PNG (its styles travel inside the SVG), and a link to the trace
// as a ShiViz log built by the server.

import { ROUTES } from '../shared/contract.ts';
import { download, el, showError } from './dom.ts';

export function exportButtons(svg: SVGSVGElement, traceId: string, baseName: string): HTMLElement {
  const svgText = () => new XMLSerializer().serializeToString(svg);
  const asSvg = el('button', { 'data-testid': 'export-svg', title: 'the diagram as it is drawn, as SVG' }, 'SVG');
  asSvg.addEventListener('click', () => download(new Blob([svgText()], { type: 'image/svg+xml' }), `${baseName}.svg`));
  const asPng = el('button', { 'data-testid': 'export-png', title: 'the diagram as it is drawn, as PNG' }, 'PNG');
  asPng.addEventListener(
    'click',
    () =>
      void toPng(svg, svgText()).then(
        (png) => download(png, `${baseName}.png`),
        (err: unknown) => showError(`PNG export failed: ${String(err)}`),
      ),
  );
  const shiviz = el(
    'a',
    {
      'data-testid': 'export-shiviz',
      href: ROUTES.shiviz(traceId),
      download: `${baseName}.shiviz.log`,
      title: 'the whole trace with vector clocks, for ShiViz',
    },
    'ShiViz log',
  );
  return el('span', { class: 'export' }, 'export: ', asSvg, asPng, shiviz);
}

async function toPng(svg: SVGSVGElement, text: string): Promise<Blob> {
  const width = svg.width.baseVal.value;
  const height = svg.height.baseVal.value;
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.src = url;
    await image.decode();
    const canvas = el('canvas', { width: width * 2, height: height * 2 });
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b === null ? reject(new Error('canvas gave no PNG')) : resolve(b)), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
