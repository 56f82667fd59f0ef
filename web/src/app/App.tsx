import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect } from 'react';
import { Navigate, Outlet, Route, Routes, useLocation, useNavigate } from 'react-router';
import { setUnauthorizedHandler } from '../api/client.ts';
import { LoginPage } from '../auth/LoginPage.tsx';
import { useMe } from '../auth/session.ts';
import { ErrorState, Loading, NotFound } from '../common/states.tsx';
import { AppFrame } from './AppFrame.tsx';

// Pages load on first visit: the login page and the frame do not wait for every screen's code.
const page = <K extends string>(load: () => Promise<Record<K, React.ComponentType>>, name: K) =>
  lazy(() => load().then((m) => ({ default: m[name] })));
const AccountPage = page(() => import('../accounts/AccountPage.tsx'), 'AccountPage');
const AccountsPage = page(() => import('../accounts/AccountsPage.tsx'), 'AccountsPage');
const ContactPage = page(() => import('../directory/ContactPage.tsx'), 'ContactPage');
const ContactsPage = page(() => import('../directory/ContactsPage.tsx'), 'ContactsPage');
const DirectoryLayout = page(() => import('../directory/DirectoryLayout.tsx'), 'DirectoryLayout');
const DuplicatesPage = page(() => import('../directory/DuplicatesPage.tsx'), 'DuplicatesPage');
const ListsPage = page(() => import('../directory/ListsPage.tsx'), 'ListsPage');
const ImportRunPage = page(() => import('../imports/ImportRunPage.tsx'), 'ImportRunPage');
const ImportsPage = page(() => import('../imports/ImportsPage.tsx'), 'ImportsPage');
const MappingPage = page(() => import('../imports/MappingPage.tsx'), 'MappingPage');
const SurveysPage = page(() => import('../surveys/SurveysPage.tsx'), 'SurveysPage');
const SurveyEditorPage = page(() => import('../surveys/SurveyEditorPage.tsx'), 'SurveyEditorPage');
const ResultsPage = page(() => import('../surveys/results/ResultsPage.tsx'), 'ResultsPage');
const ResponsesWidget = page(() => import('../embed/ResponsesWidget.tsx'), 'ResponsesWidget');
const DashboardsPage = page(() => import('../dashboards/DashboardsPage.tsx'), 'DashboardsPage');
const DashboardPage = page(() => import('../dashboards/DashboardPage.tsx'), 'DashboardPage');
const EmbedDashboardPage = page(() => import('../dashboards/EmbedDashboardPage.tsx'), 'EmbedDashboardPage');
const SettingsPage = page(() => import('../settings/SettingsPage.tsx'), 'SettingsPage');
const SalesforceSyncPage = page(() => import('../salesforce/SalesforceSyncPage.tsx'), 'SalesforceSyncPage');
const SegmentsPage = page(() => import('../segments/SegmentsPage.tsx'), 'SegmentsPage');
const SegmentEditorPage = page(() => import('../segments/SegmentEditorPage.tsx'), 'SegmentEditorPage');
const SegmentMembersPage = page(() => import('../segments/SegmentMembersPage.tsx'), 'SegmentMembersPage');
const TicketsPage = page(() => import('../tickets/TicketsPage.tsx'), 'TicketsPage');
const TicketPage = page(() => import('../tickets/TicketPage.tsx'), 'TicketPage');
const CommandCenterPage = page(() => import('../health/CommandCenterPage.tsx'), 'CommandCenterPage');
const WorkflowsPage = page(() => import('../workflows/WorkflowsPage.tsx'), 'WorkflowsPage');
const WorkflowEditorPage = page(() => import('../workflows/WorkflowEditorPage.tsx'), 'WorkflowEditorPage');
const WorkflowRunsPage = page(() => import('../workflows/WorkflowRunsPage.tsx'), 'WorkflowRunsPage');
const RunDetailPage = page(() => import('../workflows/WorkflowRunsPage.tsx'), 'RunDetailPage');
const DistributionsLayout = page(
  () => import('../distributions/DistributionsLayout.tsx'),
  'DistributionsLayout',
);
const DistributionsListPage = lazy(() =>
  import('../distributions/DistributionsListPage.tsx').then((m) => ({ default: m.DistributionsListPage })),
);
const DistributionPage = page(() => import('../distributions/DistributionPage.tsx'), 'DistributionPage');
const DistributionFormPage = page(
  () => import('../distributions/DistributionFormPage.tsx'),
  'DistributionFormPage',
);
const FunnelPage = page(() => import('../distributions/FunnelPage.tsx'), 'FunnelPage');
const OutboxPage = page(() => import('../distributions/OutboxPage.tsx'), 'OutboxPage');
const PhoneSimulatorPage = page(
  () => import('../distributions/PhoneSimulatorPage.tsx'),
  'PhoneSimulatorPage',
);
// The page of an unsubscribe link: public, like the respondent's page.
const UnsubscribePage = page(() => import('../unsubscribe/UnsubscribePage.tsx'), 'UnsubscribePage');
// The respondent's page: public, and SurveyJS is only downloaded by respondents.
const SurveyPage = page(() => import('../respond/SurveyPage.tsx'), 'SurveyPage');

/** Lets only signed-in users through; others go to the login page and come back after. */
function RequireSession() {
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      const here = window.location.pathname + window.location.search;
      navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [navigate]);

  if (me.isPending)
    return (
      <Center mih="100vh">
        <Loader />
      </Center>
    );
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  if (!me.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <AppFrame>
      <Suspense fallback={<Loading />}>
        <Outlet />
      </Suspense>
    </AppFrame>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        path="/s/:token"
        element={
          <Suspense fallback={<Loading />}>
            <SurveyPage />
          </Suspense>
        }
      />
      <Route
        path="/u/:token"
        element={
          <Suspense fallback={<Loading />}>
            <UnsubscribePage />
          </Suspense>
        }
      />
      <Route
        path="/embed/responses/:token"
        element={
          <Suspense fallback={<Loading />}>
            <ResponsesWidget />
          </Suspense>
        }
      />
      <Route
        path="/embed/dashboards/:token"
        element={
          <Suspense fallback={<Loading />}>
            <EmbedDashboardPage />
          </Suspense>
        }
      />
      <Route element={<RequireSession />}>
        <Route index element={<CommandCenterPage />} />
        <Route path="directory" element={<DirectoryLayout />}>
          <Route index element={<Navigate to="contacts" replace />} />
          <Route path="contacts" element={<ContactsPage />} />
          <Route path="contacts/:id" element={<ContactPage />} />
          <Route path="lists" element={<ListsPage />} />
          <Route path="imports" element={<ImportsPage />} />
          <Route path="imports/:id" element={<ImportRunPage />} />
          <Route path="mapping" element={<MappingPage />} />
          <Route path="duplicates" element={<DuplicatesPage />} />
        </Route>
        <Route path="accounts" element={<AccountsPage />} />
        <Route path="accounts/:id" element={<AccountPage />} />
        <Route path="segments" element={<SegmentsPage />} />
        <Route path="segments/new" element={<SegmentEditorPage />} />
        <Route path="segments/:id" element={<SegmentEditorPage />} />
        <Route path="segments/:id/members" element={<SegmentMembersPage />} />
        <Route path="surveys" element={<SurveysPage />} />
        <Route path="surveys/:id" element={<SurveyEditorPage />} />
        <Route path="surveys/:id/results" element={<ResultsPage />} />
        <Route path="distributions" element={<DistributionsLayout />}>
          <Route index element={<Navigate to="scheduled" replace />} />
          <Route path="scheduled" element={<DistributionsListPage tab="scheduled" />} />
          <Route path="sent" element={<DistributionsListPage tab="sent" />} />
          <Route path="funnel" element={<FunnelPage />} />
          <Route path="outbox" element={<OutboxPage />} />
          <Route path="phone" element={<PhoneSimulatorPage />} />
        </Route>
        <Route path="distributions/new" element={<DistributionFormPage />} />
        <Route path="distributions/:id" element={<DistributionPage />} />
        <Route path="distributions/:id/edit" element={<DistributionFormPage />} />
        <Route path="tickets" element={<TicketsPage />} />
        <Route path="tickets/:id" element={<TicketPage />} />
        <Route path="workflows" element={<WorkflowsPage />} />
        <Route path="workflows/new" element={<WorkflowEditorPage />} />
        <Route path="workflows/:id" element={<WorkflowEditorPage />} />
        <Route path="workflows/:id/runs" element={<WorkflowRunsPage />} />
        <Route path="workflows/:id/runs/:runId" element={<RunDetailPage />} />
        <Route path="dashboards" element={<DashboardsPage />} />
        <Route path="dashboards/:id" element={<DashboardPage />} />
        <Route path="salesforce" element={<SalesforceSyncPage />} />
        <Route path="settings/:tab?" element={<SettingsPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
