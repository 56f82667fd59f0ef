import { ActionIcon, Alert, Badge, Box, Card, Center, Group, Loader, Menu, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import {
  IconArrowLeft,
  IconArrowRight,
  IconArrowsDiagonalMinimize2,
  IconArrowsHorizontal,
  IconArrowsMinimize,
  IconArrowsVertical,
  IconDots,
  IconFileSpreadsheet,
  IconPhoto,
  IconSettings,
  IconTrash,
} from '@tabler/icons-react';
import { type ReactNode, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/client.ts';
import { exportPng, fileNameOf } from './export.ts';
import { spanOf } from './grid.ts';
import { widgetTitle } from './titles.ts';
import type { Widget, WidgetResult } from './types.ts';
import { pngRows, WidgetBody } from './widgets.tsx';

export const ROW_HEIGHT = 112;
export const GAP = 16;
const HEADER = 34;
const PADDING = 12;

/** The 12-column grid the widgets sit on; narrow screens stack them. */
export function WidgetGrid({ children }: { children: ReactNode }) {
  return (
    <Box
      style={{
        display: 'grid',
        gridTemplateColumns: 'repeat(12, minmax(0, 1fr))',
        gridAutoRows: ROW_HEIGHT,
        gap: GAP,
      }}
      data-testid="widget-grid"
    >
      {children}
    </Box>
  );
}

export interface EditControls {
  onEdit: () => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
  onResize: (size: { w?: number; h?: number }) => void;
}

/** One widget: its title, a menu (CSV, PNG, settings), its body; in the editor, its size and place. */
export function WidgetCard({
  widget,
  result,
  loading,
  csvHref,
  links = true,
  edit,
}: {
  widget: Widget;
  result: WidgetResult | undefined;
  loading: boolean;
  csvHref?: string;
  links?: boolean;
  edit?: EditControls;
}) {
  const { t, i18n } = useTranslation();
  const body = useRef<HTMLDivElement>(null);
  const small = useMediaQuery('(max-width: 48em)');
  const medium = useMediaQuery('(max-width: 75em)');
  const span = spanOf(widget.w, small ? 'small' : medium ? 'medium' : 'large');
  const title = widgetTitle(widget, t);
  const height = widget.h * ROW_HEIGHT + (widget.h - 1) * GAP - HEADER - 2 * PADDING;
  const data = result?.data ?? null;

  const png = async () => {
    if (!body.current || !data) return;
    try {
      await exportPng(body.current, title, pngRows(data, t, i18n.language), fileNameOf(title, 'png'));
    } catch (error) {
      notifications.show({
        color: 'red',
        message: t('dashboards.exportFailed', { message: errorMessage(error) }),
      });
    }
  };

  return (
    <Card
      withBorder
      padding={PADDING}
      style={{
        gridColumn: `span ${span}`,
        gridRow: `span ${widget.h}`,
        display: 'flex',
        flexDirection: 'column',
      }}
      data-testid={`widget-${widget.id}`}
      data-widget-type={widget.type}
    >
      <Group justify="space-between" wrap="nowrap" h={HEADER - 6} mb={6} gap={4}>
        <Text fw={600} size="sm" truncate title={title}>
          {title}
        </Text>
        <Group gap={4} wrap="nowrap">
          {edit && (
            <Badge variant="light" color="gray" size="sm" data-testid="widget-size">
              {widget.w}×{widget.h}
            </Badge>
          )}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon
                variant="subtle"
                size="sm"
                aria-label={t('dashboards.menu.open')}
                data-testid="widget-menu"
              >
                <IconDots size={16} />
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              {csvHref && (
                <Menu.Item
                  component="a"
                  href={csvHref}
                  download
                  leftSection={<IconFileSpreadsheet size={14} />}
                  data-testid="widget-csv"
                >
                  {t('dashboards.menu.csv')}
                </Menu.Item>
              )}
              <Menu.Item
                leftSection={<IconPhoto size={14} />}
                onClick={() => void png()}
                disabled={!data}
                data-testid="widget-png"
              >
                {t('dashboards.menu.png')}
              </Menu.Item>
              {edit && (
                <>
                  <Menu.Divider />
                  <Menu.Label>{t('dashboards.menu.layout')}</Menu.Label>
                  {(
                    [
                      ['left', IconArrowLeft, () => edit.onMove(-1)],
                      ['right', IconArrowRight, () => edit.onMove(1)],
                      ['wider', IconArrowsHorizontal, () => edit.onResize({ w: widget.w + 1 })],
                      ['smaller', IconArrowsDiagonalMinimize2, () => edit.onResize({ w: widget.w - 1 })],
                      ['taller', IconArrowsVertical, () => edit.onResize({ h: widget.h + 1 })],
                      ['shorter', IconArrowsMinimize, () => edit.onResize({ h: widget.h - 1 })],
                    ] as const
                  ).map(([key, Icon, act]) => (
                    <Menu.Item
                      key={key}
                      leftSection={<Icon size={14} />}
                      onClick={act}
                      closeMenuOnClick={false}
                      data-testid={`widget-${key}`}
                    >
                      {t(`dashboards.menu.${key}`)}
                    </Menu.Item>
                  ))}
                  <Menu.Divider />
                  <Menu.Item
                    leftSection={<IconSettings size={14} />}
                    onClick={edit.onEdit}
                    data-testid="widget-edit"
                  >
                    {t('dashboards.menu.edit')}
                  </Menu.Item>
                  <Menu.Item
                    color="red"
                    leftSection={<IconTrash size={14} />}
                    onClick={edit.onRemove}
                    data-testid="widget-remove"
                  >
                    {t('dashboards.menu.remove')}
                  </Menu.Item>
                </>
              )}
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>
      <Box ref={body} style={{ flex: 1, minHeight: 0, overflow: 'auto' }} data-widget-body>
        {loading && !data ? (
          <Center h="100%">
            <Loader size="sm" />
          </Center>
        ) : result?.error ? (
          <Alert color="yellow" p="xs">
            <Text size="xs">{result.error.message}</Text>
          </Alert>
        ) : data ? (
          <WidgetBody data={data} height={Math.max(80, height)} links={links} />
        ) : null}
      </Box>
    </Card>
  );
}
