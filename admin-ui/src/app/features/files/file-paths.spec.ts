import {
  breadcrumbs,
  isVirtualFolder,
  joinPath,
  nameProblem,
  normalizePath,
  parentPath,
  previewKind,
} from './file-paths';

describe('file paths', () => {
  it('joins and splits namespace paths', () => {
    expect(joinPath('/', 'home')).toBe('/home');
    expect(joinPath('/home/docs', 'a.txt')).toBe('/home/docs/a.txt');
    expect(joinPath('/home/', 'a.txt')).toBe('/home/a.txt');
    expect(parentPath('/home/docs/a.txt')).toBe('/home/docs');
    expect(parentPath('/home')).toBe('/');
    expect(parentPath('/home/docs/')).toBe('/home');
  });

  it('normalizes what people type', () => {
    expect(normalizePath(' home//docs/ ')).toBe('/home/docs');
    expect(normalizePath('/')).toBe('/');
    expect(normalizePath('')).toBe('/');
  });

  it('builds breadcrumbs from the top', () => {
    expect(breadcrumbs('/home/docs')).toEqual([
      { label: 'All files', path: '/' },
      { label: 'home', path: '/home' },
      { label: 'docs', path: '/home/docs' },
    ]);
    expect(breadcrumbs('/')).toEqual([{ label: 'All files', path: '/' }]);
  });

  it('knows which folders hold no files of their own', () => {
    expect(isVirtualFolder('/')).toBeTrue();
    expect(isVirtualFolder('/homes')).toBeTrue();
    expect(isVirtualFolder('/home')).toBeFalse();
    expect(isVirtualFolder('/homes/bob')).toBeFalse();
  });

  it('refuses names with a slash, empty names and dot names', () => {
    expect(nameProblem('report.pdf')).toBeNull();
    expect(nameProblem('  ')).toBe('Enter a name.');
    expect(nameProblem('a/b')).toBe('A name cannot contain /.');
    expect(nameProblem('..')).toBe('Choose another name.');
  });

  it('previews images, PDFs and text, and nothing else', () => {
    expect(previewKind('image/png')).toBe('image');
    expect(previewKind('application/pdf')).toBe('pdf');
    expect(previewKind('text/plain; charset=utf-8')).toBe('text');
    expect(previewKind('application/json')).toBe('text');
    expect(previewKind('application/ld+json')).toBe('text');
    expect(previewKind('application/zip')).toBeNull();
    expect(previewKind('video/mp4')).toBeNull();
  });
});
