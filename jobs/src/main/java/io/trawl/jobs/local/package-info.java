/**
 * The embedded store, kept private to one process and one user. H2 lets one process open {@code data/trawl.mv.db};
 * {@link io.trawl.jobs.local.LocalStore} makes the data folder 0700, then either claims the store for this process
 * (an OS lock on {@code data/trawl.sock.lock}, released when the process dies) or sends the command to the process
 * that holds it. {@link io.trawl.jobs.local.StoreListener} answers on {@code data/trawl.sock}, a Unix domain socket
 * that checks its peer's uid; {@link io.trawl.jobs.local.StoreClient} sends a command and prints the answer. No TCP
 * port and no secret on disk. With PostgreSQL none of this applies: processes share the database.
 */
package io.trawl.jobs.local;
