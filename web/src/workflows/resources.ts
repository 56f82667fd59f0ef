import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';

/** Things of a directory a workflow names by id (surveys, SFTP sources, segments …), for pickers. */
export interface Resources {
  surveys: { id: number; name: string }[];
  sftpSources: { id: number; name: string }[];
  segments: { id: number; name: string }[];
  mailingLists: { id: number; name: string }[];
  writebacks: { id: number; name: string }[];
  leadForms: { id: number; name: string }[];
  salesforceTriggers: { id: number; name: string }[];
}

type Named = { id: number; name: string };
const itemsOf = (answer: unknown): Named[] => {
  const list = Array.isArray(answer) ? answer : ((answer as { items?: unknown[] } | null)?.items ?? []);
  return (list as Record<string, unknown>[]).map((r) => ({ id: Number(r.id), name: String(r.name ?? r.id) }));
};

function useList(directoryId: number, path: string) {
  return useQuery({
    queryKey: ['workflow-resources', directoryId, path],
    queryFn: () => api.get<unknown>(`/directories/${directoryId}/${path}`).then(itemsOf),
    // Some lists need a connector this installation may not have set up: an empty list then.
    retry: false,
    staleTime: 30_000,
  });
}

export function useResources(directoryId: number): Resources {
  const surveys = useList(directoryId, 'surveys');
  const sftpSources = useList(directoryId, 'sftp-sources');
  const segments = useList(directoryId, 'segments?counts=false');
  const mailingLists = useList(directoryId, 'mailing-lists');
  const writebacks = useList(directoryId, 'salesforce/writebacks');
  const leadForms = useList(directoryId, 'salesforce/lead-forms');
  const salesforceTriggers = useList(directoryId, 'salesforce/triggers');
  return {
    surveys: surveys.data ?? [],
    sftpSources: sftpSources.data ?? [],
    segments: segments.data ?? [],
    mailingLists: mailingLists.data ?? [],
    writebacks: writebacks.data ?? [],
    leadForms: leadForms.data ?? [],
    salesforceTriggers: salesforceTriggers.data ?? [],
  };
}

/** Which picker an id field uses, by its name. */
export const PICKERS: Record<string, keyof Resources> = {
  surveyId: 'surveys',
  sourceId: 'sftpSources',
  sftpSourceId: 'sftpSources',
  segmentId: 'segments',
  mailingListId: 'mailingLists',
  writebackId: 'writebacks',
  formId: 'leadForms',
  salesforceTriggerId: 'salesforceTriggers',
};
