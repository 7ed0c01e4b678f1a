export declare function publishedPackages(): { dir: string; name: string }[];
export declare const ATTW_ARGS: string[];
