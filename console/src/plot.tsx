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
