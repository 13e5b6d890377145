/**
 * The write side of the read model: result events and the {@link io.trawl.readmodel.event.EventStore} port. It knows
 * no adapter.
 */
package io.trawl.readmodel.event;
