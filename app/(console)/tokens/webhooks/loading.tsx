import { LoadingList } from "@/components/ui/loading-list.tsx";

// While the page reads the list; only shown to a caller the layout has let through.
export default function WebhooksLoading() {
  return <LoadingList label="Loading webhook endpoints…" />;
}
