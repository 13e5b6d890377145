/**
 * The query side: the {@link io.trawl.readmodel.query.QueryTables} port, its row records, and the projection that
 * rebuilds the tables from the events. It knows no adapter.
 */
package io.trawl.readmodel.query;
