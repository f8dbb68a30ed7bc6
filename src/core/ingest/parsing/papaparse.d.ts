/**
 * The part of papaparse 5.x this project uses: the `Parser` engine that every papaparse
 * streamer drives chunk by chunk. Declared here instead of pulling in `@types/papaparse`,
 * whose typing of `Parser.parse` is `any`.
 */
declare module "papaparse" {
  /** One parse error papaparse reports for a row. */
  export interface PapaRowError {
    readonly type: string;
    readonly code: string;
    readonly message: string;
  }

  /** What one `step` call (one row) or one `parse` call returns. */
  export interface PapaStepResult {
    /** Fresh arrays on every step: the receiver may keep or trim them. */
    readonly data: Array<Array<string>>;
    readonly errors: ReadonlyArray<PapaRowError>;
    readonly meta: { readonly cursor: number; readonly aborted: boolean };
  }

  export interface PapaParserConfig {
    readonly delimiter: string;
    readonly newline?: "\n" | "\r\n" | "\r";
    readonly quoteChar?: string;
    readonly step?: (result: PapaStepResult) => void;
  }

  /** The low-level parser: `parse(input, baseIndex, ignoreLastRow)`. */
  export class Parser {
    constructor(config: PapaParserConfig);
    parse(input: string, baseIndex: number, ignoreLastRow: boolean): PapaStepResult;
    abort(): void;
  }

  const Papa: { readonly Parser: typeof Parser };
  export default Papa;
}
