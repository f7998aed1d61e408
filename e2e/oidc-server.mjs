// A real OpenID Connect provider for the e2e suite (the `oidc-provider`
// package, with its own login and consent pages), on localhost. The login
// name is the subject; every user's email is <login>@example.test, verified,
// unless listed below:
//   alice  - groups ["tessera-admins"]  -> admin through TESSERA_OIDC_ROLE_MAP
//   bob    - groups ["staff"]           -> no mapping: the default role (viewer)
//   dave   - email_verified absent      } listed in TESSERA_ADMIN_EMAILS by the
//   erin   - email_verified "false"     } e2e config, yet not verified: no admin
//   frank  - email_verified true        } the control: listed and verified, admin
//   carol, carol2 - both carol@example.test: two subjects, one email
//   mallory - email "admin": the local admin's username
//   squatter - email grace@example.test, email_verified absent: must not take grace's username
//   edith  - groups ["tessera-editors"]     -> editor            } through TESSERA_OIDC_ROLE_MAP, for
//   connie - groups ["tessera-connections"] -> connectionManager } the Broker tab's roles
//   monty  - groups ["tessera-monitoring"]  -> monitoringViewer  } (e2e/ui/broker*.spec.ts)
// Any other login name is a user with the defaults and no groups. Any
// password is accepted by the provider's development login page.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? 3101);
const appUrl = process.env.APP_URL ?? "http://127.0.0.1:3100";
const issuer = `http://127.0.0.1:${port}`;

/** Claims that differ from the defaults; a claim set to undefined is left out of the ID token. */
const USERS = {
  alice: { groups: ["tessera-admins"] },
  bob: { groups: ["staff"] },
  dave: { email_verified: undefined },
  erin: { email_verified: "false" },
  frank: {},
  carol: {},
  carol2: { email: "carol@example.test" },
  mallory: { email: "admin" },
  squatter: { email: "grace@example.test", email_verified: undefined },
  edith: { groups: ["tessera-editors"] },
  connie: { groups: ["tessera-connections"] },
  monty: { groups: ["tessera-monitoring"] },
};

function claimsOf(id) {
  const claims = {
    sub: id,
    email: `${id}@example.test`,
    email_verified: true,
    name: id[0].toUpperCase() + id.slice(1),
    groups: [],
    ...USERS[id],
  };
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "tessera",
      client_secret: "tessera-e2e-secret",
      redirect_uris: [`${appUrl}/api/auth/callback/oidc`],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  conformIdTokenClaims: false, // put the scoped claims into the ID token, as Keycloak and Entra do
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return claimsOf(id);
      },
    };
  },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: ["tessera-e2e-cookie-key"] },
});
provider.proxy = false;

provider.listen(port, "127.0.0.1", () => console.log(`oidc-provider listening on ${issuer}`));
