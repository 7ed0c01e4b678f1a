export declare const TASKS: Record<'test' | 'demo' | 'lint-packages', string[]>;
export declare function pinnedPnpm(packageJson: { packageManager?: string }): string;
export declare function pnpmCommand(pathVersion: string | undefined, pinned: string): string[];
export declare function installStamp(files: readonly string[]): string;
export declare function taskArgs(argv: readonly string[]): { task: string | undefined; args: string[] };
export declare function pnpmShim(pinned: string): string;
