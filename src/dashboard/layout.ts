/** The dashboard's widgets: five stacked boxes filled from a DashboardView. No logic of its own. */
import blessed from 'blessed';
import type { DashboardView, PaneHeights } from './view';

const PANES = ['header', 'table', 'details', 'events', 'footer'] as const;
type Pane = (typeof PANES)[number];

export class DashboardLayout {
  private readonly boxes: Record<Pane, blessed.Widgets.BoxElement>;

  constructor(private readonly screen: blessed.Widgets.Screen) {
    const make = (): blessed.Widgets.BoxElement =>
      blessed.box({ parent: screen, left: 0, top: 0, width: '100%', height: 1, tags: true, wrap: false });
    this.boxes = { header: make(), table: make(), details: make(), events: make(), footer: make() };
  }

  apply(view: DashboardView): void {
    let top = 0;
    for (const pane of PANES) {
      const box = this.boxes[pane];
      const height = view.heights[pane as keyof PaneHeights];
      const lines = pane === 'footer' ? [view.footer] : view[pane];
      if (height <= 0) {
        box.hide();
        continue;
      }
      box.show();
      box.top = top;
      box.height = height;
      box.setContent(lines.slice(0, height).join('\n'));
      top += height;
    }
  }

  /** What is on screen, one string per row without colours (tests and captures read it). */
  text(): string[] {
    const lines = (this.screen as unknown as { lines: Array<Array<[number, string]>> }).lines;
    return lines.map((row) => row.map((cell) => cell[1]).join('').trimEnd());
  }
}
