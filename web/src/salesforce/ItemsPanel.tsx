import { Button, Group, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../api/client.ts';
import { ConfirmDelete } from './panel-parts.tsx';

/** One column of an items table: its header and what a row shows there. */
export interface ItemColumn<T> {
  header: string;
  cell: (item: T) => ReactNode;
  miw?: number;
  maw?: number;
}

interface ItemsPanelProps<T> {
  intro: string;
  /** The "new" button (shown to users who may write). */
  create: { label: string; testId: string; onClick: () => void };
  canWrite: boolean;
  /** Shown between the intro and the table (a just-created item's instructions …). */
  notice?: ReactNode;
  items: T[];
  empty: string;
  testId: string;
  columns: ItemColumn<T>[];
  /** The item whose activity (runs, notifications, submissions) is open below the table. */
  shown: number | null;
  onShow: (id: number | null) => void;
  showLabel: string;
  onEdit?: (item: T) => void;
  removal: {
    path: (id: number) => string;
    queryKey: unknown[];
    title: (name: string) => string;
    body: string;
  };
  /** Below the table: the open item's activity, the create/edit form. */
  children?: ReactNode;
}

/**
 * The list the Salesforce trigger, write-back and lead-form panels share: intro and "new" button,
 * one row per item with its columns, and the actions every row has — show its activity, edit,
 * delete after a confirmation (which closes the activity and refreshes the list).
 */
export function ItemsPanel<T extends { id: number; name: string }>(props: ItemsPanelProps<T>) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { removal, shown, onShow } = props;
  const [removing, setRemoving] = useState<T | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => api.delete(removal.path(id)),
    onSuccess: () => {
      setRemoving(null);
      onShow(null);
      void client.invalidateQueries({ queryKey: removal.queryKey });
    },
    onError: (error) => {
      setRemoving(null);
      notifications.show({ message: errorMessage(error), color: 'red', autoClose: false });
    },
  });

  return (
    <Stack>
      <Group justify="space-between">
        <Text size="sm" c="dimmed" maw={760}>
          {props.intro}
        </Text>
        {props.canWrite && (
          <Button onClick={props.create.onClick} data-testid={props.create.testId}>
            {props.create.label}
          </Button>
        )}
      </Group>
      {props.notice}
      {props.items.length === 0 ? (
        <Text c="dimmed">{props.empty}</Text>
      ) : (
        <Table striped data-testid={props.testId}>
          <Table.Thead>
            <Table.Tr>
              {props.columns.map((column) => (
                <Table.Th key={column.header}>{column.header}</Table.Th>
              ))}
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {props.items.map((item) => (
              <Table.Tr key={item.id}>
                {props.columns.map((column) => (
                  <Table.Td key={column.header} miw={column.miw} maw={column.maw}>
                    {column.cell(item)}
                  </Table.Td>
                ))}
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      size="xs"
                      variant={shown === item.id ? 'filled' : 'light'}
                      onClick={() => onShow(shown === item.id ? null : item.id)}
                    >
                      {props.showLabel}
                    </Button>
                    {props.canWrite && props.onEdit && (
                      <Button size="xs" variant="subtle" onClick={() => props.onEdit?.(item)}>
                        {t('salesforce.edit')}
                      </Button>
                    )}
                    {props.canWrite && (
                      <Button size="xs" variant="subtle" color="red" onClick={() => setRemoving(item)}>
                        {t('common.delete')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {props.children}
      <ConfirmDelete
        title={removing ? removal.title(removing.name) : null}
        body={removal.body}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => setRemoving(null)}
        loading={remove.isPending}
      />
    </Stack>
  );
}
