import { viewLayout } from "../../_components/view-gate.tsx";

// The view's guard above its loading.tsx, so that a refusal is a 403 (app/(console)/_components/view-gate.tsx).
export default viewLayout("webhooks");
