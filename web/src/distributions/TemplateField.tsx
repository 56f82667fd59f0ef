import { ActionIcon, Button, Group, Menu, Stack, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconBold, IconBraces, IconClick, IconItalic, IconLink, IconPilcrow } from '@tabler/icons-react';
import { type ReactNode, useRef } from 'react';
import { useTranslation } from 'react-i18next';

export interface PlaceholderGroup {
  label: string;
  items: { label: string; value: string }[];
}

/**
 * A message field (LiquidJS template) with a menu that inserts placeholders at the cursor, and for
 * HTML a small toolbar that wraps the selection in tags.
 */
export function TemplateField({
  label,
  value,
  onChange,
  placeholders,
  multiline = false,
  html = false,
  minRows = 4,
  error,
  description,
  required,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholders: PlaceholderGroup[];
  multiline?: boolean;
  html?: boolean;
  minRows?: number;
  error?: string;
  description?: ReactNode;
  required?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLTextAreaElement & HTMLInputElement>(null);

  const insert = (before: string, after = '', fallback = '') => {
    const el = ref.current;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const selected = value.slice(start, end) || fallback;
    const text = before + selected + after;
    onChange(value.slice(0, start) + text + value.slice(end));
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + text.length, start + text.length);
    });
  };

  const tool = (icon: ReactNode, tip: string, run: () => void) => (
    <Tooltip label={tip} withinPortal>
      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={tip} onClick={run}>
        {icon}
      </ActionIcon>
    </Tooltip>
  );

  const toolbar = (
    <Group gap={4} wrap="nowrap">
      {html && (
        <>
          {tool(<IconBold size={14} />, t('distributions.html.bold'), () => insert('<strong>', '</strong>'))}
          {tool(<IconItalic size={14} />, t('distributions.html.italic'), () => insert('<em>', '</em>'))}
          {tool(<IconPilcrow size={14} />, t('distributions.html.paragraph'), () => insert('<p>', '</p>\n'))}
          {tool(<IconLink size={14} />, t('distributions.html.link'), () =>
            insert('<a href="{{ link }}">', '</a>', t('distributions.html.linkText')),
          )}
          {tool(<IconClick size={14} />, t('distributions.html.button'), () =>
            insert(
              '<p><a href="{{ link }}" style="display:inline-block;padding:10px 18px;background:#4c6ef5;color:#fff;border-radius:6px;text-decoration:none">',
              '</a></p>\n',
              t('distributions.html.buttonText'),
            ),
          )}
        </>
      )}
      <Menu position="bottom-end" withinPortal shadow="md" width={280}>
        <Menu.Target>
          <Button
            size="compact-xs"
            variant="light"
            leftSection={<IconBraces size={12} />}
            data-testid={testId ? `${testId}-placeholders` : undefined}
          >
            {t('distributions.insertPlaceholder')}
          </Button>
        </Menu.Target>
        <Menu.Dropdown mah={360} style={{ overflowY: 'auto' }}>
          {placeholders
            .filter((g) => g.items.length)
            .map((group) => (
              <div key={group.label}>
                <Menu.Label>{group.label}</Menu.Label>
                {group.items.map((item) => (
                  <Menu.Item key={item.value} onClick={() => insert(item.value)}>
                    <Group justify="space-between" wrap="nowrap" gap="xs">
                      <Text size="sm">{item.label}</Text>
                      <Text size="xs" c="dimmed" ff="monospace" truncate>
                        {item.value}
                      </Text>
                    </Group>
                  </Menu.Item>
                ))}
              </div>
            ))}
        </Menu.Dropdown>
      </Menu>
    </Group>
  );

  return (
    <Stack gap={4}>
      <Group justify="space-between" align="flex-end" wrap="nowrap">
        <Text size="sm" fw={500}>
          {label}
          {required && (
            <Text span c="red">
              {' '}
              *
            </Text>
          )}
        </Text>
        {toolbar}
      </Group>
      {multiline ? (
        <Textarea
          ref={ref}
          aria-label={label}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          autosize
          minRows={minRows}
          maxRows={18}
          error={error}
          description={description}
          inputWrapperOrder={['input', 'description', 'error']}
          styles={
            html ? { input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } } : undefined
          }
          data-testid={testId}
        />
      ) : (
        <TextInput
          ref={ref}
          aria-label={label}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          error={error}
          description={description}
          inputWrapperOrder={['input', 'description', 'error']}
          data-testid={testId}
        />
      )}
    </Stack>
  );
}
