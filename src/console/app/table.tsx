// The console's tables: a header row of column names, a row a record, optionally in a scrolling
// box, or a line of text instead when there are no rows.
import type { HTMLAttributes, Key, ReactNode } from 'react';

export interface Column<T> {
  /** The column's header cell (a <th scope="col">). */
  header: ReactNode;
  /** The cell of one row. */
  cell: (row: T) => ReactNode;
  /** The cell heads its row: a <th scope="row"> instead of a <td>. */
  rowHeader?: boolean;
  /** The cell's class (a <td> only). */
  className?: string;
  /** The cell's data-testid (a <td> only). */
  testId?: (row: T) => string;
  /** A React key for the column, where the columns are made from a list. */
  key?: Key;
}

type RowAttributes = HTMLAttributes<HTMLTableRowElement> & { 'data-testid'?: string };

/** The header of a column of buttons: named for screen readers, blank on the screen. */
export const ACTIONS = <span className="sr-only">Actions</span>;

export function DataTable<T>(props: {
  columns: Column<T>[];
  rows: readonly T[] | undefined;
  rowKey: (row: T, index: number) => Key;
  /** Attributes of a row's <tr> (its data-testid, aria-selected). */
  row?: (row: T) => RowAttributes;
  testId?: string;
  /** The table's accessible name, where no heading names it. */
  label?: string;
  caption?: ReactNode;
  /** In a horizontally scrolling box (div.scroll). */
  scroll?: boolean;
  /** Shown instead of the table when there are no rows; without it an empty table is shown. */
  empty?: ReactNode;
}) {
  const rows = props.rows ?? [];
  if (rows.length === 0 && props.empty !== undefined) return <>{props.empty}</>;
  const table = (
    <table data-testid={props.testId} aria-label={props.label}>
      {props.caption != null && <caption>{props.caption}</caption>}
      <thead>
        <tr>
          {props.columns.map((c, i) => (
            <th scope="col" key={c.key ?? i}>
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={props.rowKey(r, i)} {...props.row?.(r)}>
            {props.columns.map((c, j) =>
              c.rowHeader ? (
                <th scope="row" key={c.key ?? j}>
                  {c.cell(r)}
                </th>
              ) : (
                <td key={c.key ?? j} className={c.className} data-testid={c.testId?.(r)}>
                  {c.cell(r)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
  return props.scroll ? <div className="scroll">{table}</div> : table;
}
