import { Anchor, Box, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import type { TreeNode } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { HealthBadge } from '../health/parts.tsx';

/**
 * The hierarchy around an account: from its top-level ancestor down to two levels below it.
 * Deeper branches show their size and open on their own page. `path` is the ancestors then the
 * account, top first: the tree starts at the highest one the reader may see (an account manager
 * may see an account but not its parent). `health` puts each known node's health badge beside it.
 */
export function AccountTree({
  path,
  currentId,
  depth,
  health,
}: {
  path: number[];
  currentId: number;
  depth: number;
  health?: Map<number, { health: number | null; band: string }>;
}) {
  const { t } = useTranslation();
  const tree = useQuery({
    queryKey: ['account-tree', path, depth],
    queryFn: async () => {
      for (const [i, id] of path.entries()) {
        try {
          const found = await api.get<{ items: TreeNode[] }>(`/accounts/${id}/tree`, {
            depth: Math.min(depth - i, 10),
          });
          return { rootId: id, items: found.items };
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404) || id === currentId) throw error;
        }
      }
      throw new Error(`No account ${currentId}`);
    },
  });
  if (tree.isPending) return <Loading />;
  if (tree.isError) return <ErrorState error={tree.error} />;

  const { rootId } = tree.data;
  const children = new Map<number | null, TreeNode[]>();
  for (const node of tree.data.items) {
    const key = node.id === rootId ? null : node.parentId;
    children.set(key, [...(children.get(key) ?? []), node]);
  }

  const render = (node: TreeNode) => {
    const kids = children.get(node.id) ?? [];
    const hidden = node.childCount - kids.length;
    const score = health?.get(node.id);
    return (
      <Box key={node.id} component="li" data-testid={`tree-node-${node.id}`}>
        <Group gap={6} wrap="nowrap" py={1}>
          {score && <HealthBadge health={score.health} band={score.band} size="xs" />}
          {node.id === currentId ? (
            <Text span fw={700} aria-current="true">
              {node.displayName}
            </Text>
          ) : (
            <Anchor component={Link} to={`/accounts/${node.id}`}>
              {node.displayName}
            </Anchor>
          )}
          {hidden > 0 && (
            <Text span size="xs" c="dimmed">
              (+{hidden} {t('accounts.children').toLowerCase()})
            </Text>
          )}
        </Group>
        {kids.length > 0 && (
          <Box
            component="ul"
            pl="md"
            style={{ listStyle: 'none', borderLeft: '1px solid var(--mantine-color-gray-4)' }}
          >
            {kids.map(render)}
          </Box>
        )}
      </Box>
    );
  };

  return (
    <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="account-tree">
      {(children.get(null) ?? []).map(render)}
    </Box>
  );
}
