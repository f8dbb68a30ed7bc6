/**
 * The shared store suite against the in-memory `Test` layers.
 */
import { Effect } from "effect";
import { StoreMemory } from "../../src/core/store/memory";
import { CoreStoresTest } from "../../src/core/store/test-layers";
import { storeConformance } from "../fixtures/store-conformance/index";

storeConformance({
  name: "in-memory Test layers",
  layer: () => CoreStoresTest,
  breakDatabase: Effect.map(StoreMemory, (memory) => {
    memory.failing.add("*");
  }),
});
