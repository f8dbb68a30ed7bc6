/**
 * Writes the FINRA OTC transparency sample weekly files (`src/dev/finra-samples/`):
 * 8 consecutive weeks ending Fridays 2025-01-03 … 2025-02-21, three tiers, in FINRA's
 * pipe-delimited layout. Deterministic: the same script always writes the same bytes.
 *
 *   npx tsx scripts/finra-samples.ts [out-dir]
 *
 * Built in: RDDT trades on NMS Tier 1 only from the week ending 2025-01-24 (too little
 * history for the 6-week window ending 2025-02-21); the Tier 1 file of 2025-02-07 ends with a
 * corrected AAPL/CDRG line (a later lastUpdateDate; normalize keeps it); the Tier 2 file of
 * 2025-01-17 has a line with a negative share quantity (normalize quarantines it).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addDays } from "../src/calendar/dates";
import { FINRA_OTC_WEEKLY_COLUMNS } from "../src/domains/finra_otc/source";

/** Eight consecutive week endings (Fridays) from 2025-01-03. */
const WEEKS = Array.from({ length: 8 }, (_, i) => addDays("2025-01-03", 7 * i));

const VENUES: Record<string, string> = {
  CDRG: "CITADEL SECURITIES LLC",
  NITE: "VIRTU AMERICAS LLC",
  JNST: "JANE STREET CAPITAL, LLC",
  UBSA: "UBS SECURITIES LLC",
  ETMM: "G1 EXECUTION SERVICES, LLC",
  INCR: "INTELLIGENT CROSS LLC",
  GTSM: "GTS SECURITIES LLC",
};

interface Issue {
  readonly symbol: string;
  readonly name: string;
  /** Typical weekly shares at the biggest venue. */
  readonly base: number;
  /** Typical shares per trade. */
  readonly tradeSize: number;
  readonly venues: ReadonlyArray<string>;
  readonly firstWeek?: string;
}

const TIERS: ReadonlyArray<{
  code: string;
  description: string;
  lagDays: number;
  issues: ReadonlyArray<Issue>;
}> = [
  {
    code: "NMS_TIER_1",
    description: "NMS Tier 1",
    lagDays: 10,
    issues: [
      {
        symbol: "AAPL",
        name: "Apple Inc. Common Stock",
        base: 24_000_000,
        tradeSize: 210,
        venues: ["CDRG", "NITE", "JNST", "UBSA", "INCR"],
      },
      {
        symbol: "AMZN",
        name: "Amazon.com, Inc. Common Stock",
        base: 17_500_000,
        tradeSize: 190,
        venues: ["CDRG", "NITE", "JNST", "UBSA"],
      },
      {
        symbol: "MSFT",
        name: "Microsoft Corporation Common Stock",
        base: 9_800_000,
        tradeSize: 120,
        venues: ["CDRG", "NITE", "JNST", "INCR"],
      },
      {
        symbol: "NVDA",
        name: "NVIDIA Corporation Common Stock",
        base: 61_000_000,
        tradeSize: 240,
        venues: ["CDRG", "NITE", "JNST", "UBSA", "ETMM"],
      },
      {
        symbol: "RDDT",
        name: "Reddit, Inc. Class A Common Stock",
        base: 1_900_000,
        tradeSize: 95,
        venues: ["CDRG", "NITE"],
        firstWeek: "2025-01-24",
      },
      {
        symbol: "SPY",
        name: "SPDR S&P 500 ETF Trust",
        base: 14_200_000,
        tradeSize: 160,
        venues: ["CDRG", "JNST", "UBSA", "INCR"],
      },
      {
        symbol: "TSLA",
        name: "Tesla, Inc. Common Stock",
        base: 33_000_000,
        tradeSize: 150,
        venues: ["CDRG", "NITE", "JNST", "ETMM"],
      },
    ],
  },
  {
    code: "NMS_TIER_2",
    description: "NMS Tier 2",
    lagDays: 24,
    issues: [
      {
        symbol: "LCID",
        name: "Lucid Group, Inc. Common Stock",
        base: 11_400_000,
        tradeSize: 330,
        venues: ["CDRG", "NITE", "JNST"],
      },
      {
        symbol: "OPEN",
        name: "Opendoor Technologies Inc Common Stock",
        base: 6_300_000,
        tradeSize: 410,
        venues: ["CDRG", "NITE", "ETMM"],
      },
      {
        symbol: "PLUG",
        name: "Plug Power, Inc. Common Stock",
        base: 8_700_000,
        tradeSize: 360,
        venues: ["CDRG", "NITE", "JNST", "ETMM"],
      },
      {
        symbol: "SOUN",
        name: "SoundHound AI, Inc. Class A Common Stock",
        base: 9_900_000,
        tradeSize: 280,
        venues: ["CDRG", "NITE", "JNST", "UBSA"],
      },
    ],
  },
  {
    code: "OTCE",
    description: "OTCE",
    lagDays: 24,
    issues: [
      {
        symbol: "BAYRY",
        name: "Bayer AG Sponsored ADR",
        base: 820_000,
        tradeSize: 450,
        venues: ["CDRG", "NITE", "GTSM"],
      },
      {
        symbol: "NSRGY",
        name: "Nestle S.A. Sponsored ADR",
        base: 410_000,
        tradeSize: 120,
        venues: ["CDRG", "NITE", "GTSM"],
      },
      {
        symbol: "RHHBY",
        name: "Roche Holding AG Sponsored ADR",
        base: 690_000,
        tradeSize: 260,
        venues: ["CDRG", "NITE"],
      },
      {
        symbol: "TCEHY",
        name: "Tencent Holdings Ltd. Unsponsored ADR",
        base: 1_450_000,
        tradeSize: 380,
        venues: ["CDRG", "NITE", "GTSM"],
      },
    ],
  },
];

/** 32-bit FNV-1a, for a deterministic draw per (symbol, venue, week). */
const fnv = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
};
const draw = (key: string) => fnv(key) / 0xffffffff;

/** One line of a weekly file: an issue's volume at one venue for the week. */
const venueLine = (
  tier: { readonly description: string },
  l: {
    readonly symbol: string;
    readonly name: string;
    readonly mpid: string;
    readonly quantity: number;
    readonly trades: number;
    readonly updated: string;
  },
) =>
  [
    tier.description,
    l.symbol,
    l.name,
    VENUES[l.mpid] ?? l.mpid,
    l.mpid,
    l.quantity,
    l.trades,
    l.updated,
  ].join("|");

const outDir = process.argv[2] ?? join(import.meta.dirname, "../src/dev/finra-samples");
mkdirSync(outDir, { recursive: true });
for (const tier of TIERS) {
  for (const week of WEEKS) {
    const updated = addDays(week, tier.lagDays);
    const lines = [FINRA_OTC_WEEKLY_COLUMNS.join("|")];
    for (const issue of tier.issues) {
      if (issue.firstWeek !== undefined && week < issue.firstWeek) continue;
      issue.venues.forEach((mpid, rank) => {
        const weekly = 0.75 + 0.5 * draw(`${issue.symbol}|${week}`);
        const venue = 0.85 + 0.3 * draw(`${issue.symbol}|${mpid}|${week}`);
        const quantity = Math.round((issue.base / (rank + 1)) * weekly * venue);
        const size = issue.tradeSize * (0.8 + 0.4 * draw(`${issue.symbol}|${mpid}|${week}|size`));
        const trades = Math.max(1, Math.round(quantity / size));
        lines.push(venueLine(tier, { ...issue, mpid, quantity, trades, updated }));
      });
    }
    if (tier.code === "NMS_TIER_1" && week === "2025-02-07") {
      // A corrected line, published later (normalize keeps it).
      lines.push(
        venueLine(tier, {
          symbol: "AAPL",
          name: "Apple Inc. Common Stock",
          mpid: "CDRG",
          quantity: 25_031_227,
          trades: 118_940,
          updated: addDays(updated, 3),
        }),
      );
    }
    if (tier.code === "NMS_TIER_2" && week === "2025-01-17") {
      // A negative share quantity (normalize quarantines it).
      lines.push(
        venueLine(tier, {
          symbol: "SOUN",
          name: "SoundHound AI, Inc. Class A Common Stock",
          mpid: "INCR",
          quantity: -1200,
          trades: 4,
          updated,
        }),
      );
    }
    writeFileSync(join(outDir, `${week}_${tier.code}.psv`), `${lines.join("\n")}\n`);
  }
}
process.stdout.write(`wrote ${TIERS.length * WEEKS.length} files to ${outDir}\n`);
