import assert from "node:assert/strict";
import { test } from "node:test";
import { brokerAbilities, brokerViewsFor } from "../../app/(console)/broker/_components/broker-views.ts";
import { ROLES } from "../../lib/auth/permissions.ts";

// What each role is shown of the console's Broker tab, read from the permission table: the promise per role.
const EXPECTED = {
  admin: { views: ["Status", "Clients", "Roles", "Groups"], write: true, connections: true, readRoles: true },
  editor: { views: ["Status", "Clients", "Roles", "Groups"], write: true, connections: true, readRoles: true },
  viewer: { views: ["Status", "Clients", "Roles", "Groups"], write: false, connections: false, readRoles: true },
  connectionManager: { views: ["Status", "Clients"], write: false, connections: true, readRoles: false },
  monitoringViewer: { views: ["Status"], write: false, connections: false, readRoles: false },
  introspector: { views: [], write: false, connections: false, readRoles: false },
} as const;

test("each role's Broker views and abilities, from lib/auth/permissions.ts", () => {
  for (const role of ROLES) {
    const { views, ...abilities } = EXPECTED[role];
    assert.deepEqual(
      brokerViewsFor(role).map((view) => view.label),
      views,
      role,
    );
    assert.deepEqual(brokerAbilities(role), abilities, role);
  }
});
