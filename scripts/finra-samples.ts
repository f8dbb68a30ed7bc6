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

const WEEKS = [
  "2025-01-03",
  "2025-01-10",
  "2025-01-17",
  "2025-01-24",
  "2025-01-31",
  "2025-02-07",
  "2025-02-14",
  "2025-02-21",
];

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

const line = (fields: ReadonlyArray<string | number>) => fields.join("|");
const HEADER = line([
  "tierDescription",
  "issueSymbolIdentifier",
  "issueName",
  "marketParticipantName",
  "MPID",
  "totalWeeklyShareQuantity",
  "totalWeeklyTradeCount",
  "lastUpdateDate",
]);

const outDir = process.argv[2] ?? join(import.meta.dirname, "../src/dev/finra-samples");
mkdirSync(outDir, { recursive: true });
for (const tier of TIERS) {
  for (const week of WEEKS) {
    const updated = addDays(week, tier.lagDays);
    const lines = [HEADER];
    for (const issue of tier.issues) {
      if (issue.firstWeek !== undefined && week < issue.firstWeek) continue;
      issue.venues.forEach((mpid, rank) => {
        const weekly = 0.75 + 0.5 * draw(`${issue.symbol}|${week}`);
        const venue = 0.85 + 0.3 * draw(`${issue.symbol}|${mpid}|${week}`);
        const quantity = Math.round((issue.base / (rank + 1)) * weekly * venue);
        const size = issue.tradeSize * (0.8 + 0.4 * draw(`${issue.symbol}|${mpid}|${week}|size`));
        const trades = Math.max(1, Math.round(quantity / size));
        lines.push(
          line([
            tier.description,
            issue.symbol,
            issue.name,
            VENUES[mpid] ?? mpid,
            mpid,
            quantity,
            trades,
            updated,
          ]),
        );
      });
    }
    if (tier.code === "NMS_TIER_1" && week === "2025-02-07") {
      lines.push(
        line([
          tier.description,
          "AAPL",
          "Apple Inc. Common Stock",
          VENUES.CDRG ?? "",
          "CDRG",
          25_031_227,
          118_940,
          addDays(updated, 3),
        ]),
      );
    }
    if (tier.code === "NMS_TIER_2" && week === "2025-01-17") {
      lines.push(
        line([
          tier.description,
          "SOUN",
          "SoundHound AI, Inc. Class A Common Stock",
          VENUES.INCR ?? "",
          "INCR",
          -1200,
          4,
          updated,
        ]),
      );
    }
    writeFileSync(join(outDir, `${week}_${tier.code}.psv`), `${lines.join("\n")}\n`);
  }
}
process.stdout.write(`wrote ${TIERS.length * WEEKS.length} files to ${outDir}\n`);
