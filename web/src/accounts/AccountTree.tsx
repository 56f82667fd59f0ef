import { Anchor, Box, Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, api } from '../api/client.ts';
import type { TreeNode } from '../api/types.ts';
import { ErrorState, Loading } from '../common/states.tsx';
import { HEALTH_KEY, HealthBadge } from '../health/parts.tsx';
import type { HealthTree } from '../health/types.ts';

/**
 * The hierarchy from the highest of `path` (the ancestors then the account, top first) the reader
 * may see, `depth` levels below the top: an account manager may see an account but not its parent.
 */
export function useAccountTree(path: number[], currentId: number, depth: number) {
  return useQuery({
    queryKey: ['account-tree', path, depth],
    queryFn: async () => {
      for (const [i, id] of path.entries()) {
        const levels = Math.min(depth - i, 10);
        try {
          const found = await api.get<{ items: TreeNode[] }>(`/accounts/${id}/tree`, { depth: levels });
          return { rootId: id, depth: levels, items: found.items };
        } catch (error) {
          if (!(error instanceof ApiError && error.status === 404) || id === currentId) throw error;
        }
      }
      throw new Error(`No account ${currentId}`);
    },
    enabled: path.length > 0,
  });
}

/** The health (with its descendants) of every node of the tree the reader may see, for the badges. */
function useHealthTree(rootId: number | undefined, depth: number | undefined) {
  return useQuery({
    queryKey: [HEALTH_KEY, 'tree', rootId, depth],
    queryFn: () => api.get<HealthTree>(`/accounts/${rootId}/health-tree`, { depth }),
    enabled: rootId !== undefined && depth !== undefined,
    select: (data) => new Map(data.items.map((node) => [node.accountId, node])),
  });
}

/**
 * The hierarchy around an account: from its top-level ancestor down to two levels below it, each
 * node with its health badge (with its descendants). Deeper branches show their size and open on
 * their own page. `path` is the ancestors then the account, top first: the tree starts at the
 * highest one the reader may see.
 */
export function AccountTree({
  path,
  currentId,
  depth,
}: {
  path: number[];
  currentId: number;
  depth: number;
}) {
  const { t } = useTranslation();
  const tree = useAccountTree(path, currentId, depth);
  const health = useHealthTree(tree.data?.rootId, tree.data?.depth);
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
    const score = health.data?.get(node.id);
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
