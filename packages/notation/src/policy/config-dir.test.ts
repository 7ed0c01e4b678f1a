import { describe, expect, it } from 'vitest';
import { notationConfigDir } from './config-dir.ts';

describe('notationConfigDir', () => {
  it('NOTATION_CONFIG wins on every platform', () => {
    expect(notationConfigDir({ NOTATION_CONFIG: '/etc/n', HOME: '/home/u' }, 'linux')).toBe('/etc/n');
    expect(notationConfigDir({ NOTATION_CONFIG: 'C:\\n', AppData: 'C:\\x' }, 'win32')).toBe('C:\\n');
  });

  it('Linux: $XDG_CONFIG_HOME/notation when absolute, else ~/.config/notation', () => {
    expect(notationConfigDir({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/u' }, 'linux')).toBe('/xdg/notation');
    expect(notationConfigDir({ HOME: '/home/u' }, 'linux')).toBe('/home/u/.config/notation');
    expect(notationConfigDir({ XDG_CONFIG_HOME: '', HOME: '/home/u' }, 'freebsd')).toBe('/home/u/.config/notation');
    // Go's os.UserConfigDir refuses a relative XDG_CONFIG_HOME; notation then uses ".notation".
    expect(notationConfigDir({ XDG_CONFIG_HOME: 'rel', HOME: '/home/u' }, 'linux')).toBe('.notation');
  });

  it('macOS: ~/Library/Application Support/notation', () => {
    expect(notationConfigDir({ HOME: '/Users/u', XDG_CONFIG_HOME: '/ignored' }, 'darwin')).toBe('/Users/u/Library/Application Support/notation');
  });

  it('Windows: %AppData%\\notation', () => {
    expect(notationConfigDir({ AppData: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe('C:\\Users\\u\\AppData\\Roaming\\notation');
  });

  it('falls back to .notation without a home', () => {
    expect(notationConfigDir({}, 'linux')).toBe('.notation');
    expect(notationConfigDir({}, 'win32')).toBe('.notation');
  });
});
