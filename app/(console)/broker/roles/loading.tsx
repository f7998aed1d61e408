import { LoadingList } from "@/components/ui/loading-list.tsx";

// While the page is prepared; only shown to a caller the layout has let through.
export default function BrokerRolesLoading() {
  return <LoadingList label="Loading broker roles…" />;
}
