/**
 * What each rescan saw, kept so that the next rescan of the same source can redo only what changed: the
 * {@link io.trawl.readmodel.manifest.Manifests} port. It knows no adapter.
 */
package io.trawl.readmodel.manifest;
