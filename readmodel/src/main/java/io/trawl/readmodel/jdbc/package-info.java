/** The JDBC adapters of the event store and the query tables, on H2 and PostgreSQL, with their schema. */
package io.trawl.readmodel.jdbc;
