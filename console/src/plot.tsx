import * as Plot from '@observablehq/plot';
import { useEffect, useRef } from 'preact/hooks';

export { Plot };

/**
 * An Observable Plot figure: redrawn when `options` change (pass a memoized object). The
 * figure is labelled for screen readers by `label`; `caption` is shown under it.
 */
export function PlotFigure({ options, label, caption, testId }: { options: Plot.PlotOptions; label: string; caption?: string; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = Plot.plot({ ...options, ariaLabel: label });
    accessible(el, label);
    ref.current?.replaceChildren(el);
    return () => el.remove();
  }, [options, label]);
  return (
    <figure class="plot" data-testid={testId}>
      <div ref={ref} />
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
}

/**
 * A plot is one image to assistive technology: each svg gets role="img" and a label (the
 * chart's, or "legend" for a legend's swatches), and the marks' own aria-labels on plain
 * groups (which ARIA does not allow there) are dropped.
 */
function accessible(root: Element, label: string): void {
  const svgs = root instanceof SVGSVGElement ? [root] : [...root.querySelectorAll('svg')];
  for (const svg of svgs) {
    svg.setAttribute('role', 'img');
    if (!svg.hasAttribute('aria-label')) svg.setAttribute('aria-label', svg.closest('[class*="-swatch"], [class*="-ramp"]') || svg.parentElement?.tagName === 'SPAN' ? `${label}: legend` : label);
    for (const g of svg.querySelectorAll('g[aria-label], g[aria-description]')) {
      g.removeAttribute('aria-label');
      g.removeAttribute('aria-description');
    }
  }
}
