/** Who may call the service: API keys, OIDC bearer tokens, roles and the route rules. */
package io.trawl.jobs.security;
