import { Table } from '@mantine/core';
import type { ReactNode } from 'react';

/** A striped table with one header row: the shape of every activity list (runs, notifications). */
export function HeadedTable({
  testId,
  headers,
  children,
}: {
  testId: string;
  /** Column headers in order; '' for a column without one. */
  headers: string[];
  /** The body's rows. */
  children: ReactNode;
}) {
  return (
    <Table striped data-testid={testId}>
      <Table.Thead>
        <Table.Tr>
          {headers.map((header, i) => (
            // Headers are fixed for the table's life: their position is their identity.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <Table.Th key={i}>{header}</Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>{children}</Table.Tbody>
    </Table>
  );
}
