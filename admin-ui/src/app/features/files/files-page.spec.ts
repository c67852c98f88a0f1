import { provideHttpClient } from '@angular/common/http';
import {
  HttpTestingController,
  provideHttpClientTesting,
  type TestRequest,
} from '@angular/common/http/testing';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { HarnessLoader } from '@angular/cdk/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatCheckboxHarness } from '@angular/material/checkbox/testing';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';
import { MatDialogHarness } from '@angular/material/dialog/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatMenuHarness } from '@angular/material/menu/testing';
import { MatProgressBarHarness } from '@angular/material/progress-bar/testing';
import { MatSortHarness } from '@angular/material/sort/testing';
import { MatTableHarness } from '@angular/material/table/testing';
import { provideRouter } from '@angular/router';
import { REFRESH_TOKEN_STORAGE } from '../../core/auth-store';
import { MemoryStorage, apiError, makeFile, makeFolder } from '../../core/testing';
import FilesPage from './files-page';

describe('FilesPage', () => {
  let http: HttpTestingController;
  let loader: HarnessLoader;
  let root: HarnessLoader;
  let fixture: ComponentFixture<FilesPage>;

  const entries = [
    makeFolder('/home/docs'),
    makeFile('/home/a.txt', { size: 2048 }),
    makeFile('/home/locked.bin', { contentType: 'application/octet-stream', canModify: false }),
  ];

  function expectList(): TestRequest {
    return http.expectOne((r) => r.method === 'GET' && r.url === '/api/files');
  }

  function flushHome(items = entries): void {
    expectList().flush({ path: '/home', total: items.length, items });
  }

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: REFRESH_TOKEN_STORAGE, useValue: new MemoryStorage() },
        { provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(FilesPage);
    loader = TestbedHarnessEnvironment.loader(fixture);
    root = TestbedHarnessEnvironment.documentRootLoader(fixture);
    await fixture.whenStable();
    http
      .expectOne('/api/me/usage')
      .flush({ usedBytes: 512 * 1024 ** 2, quotaBytes: 1024 ** 3, availableBytes: 512 * 1024 ** 2 });
    const list = expectList();
    expect(list.request.params.get('path')).toBe('/home');
    list.flush({ path: '/home', total: entries.length, items: entries });
    await fixture.whenStable();
  });

  afterEach(async () => {
    const dialogs = await root.getAllHarnesses(MatDialogHarness);
    await Promise.all(dialogs.map((d) => d.close()));
    http.verify();
  });

  it('lists the folder, folders first, with sizes for files only', async () => {
    const table = await loader.getHarness(MatTableHarness);
    const cells = await table.getCellTextByColumnName();
    expect(cells['name']?.text).toEqual(['folderdocs', 'descriptiona.txt', 'descriptionlocked.bin']);
    expect(cells['size']?.text).toEqual(['', '2 KB', '1 KB']);
    expect(cells['type']?.text).toEqual(['Folder', 'text/plain', 'application/octet-stream']);
  });

  it('shows the quota bar from /api/me/usage', async () => {
    const bar = await loader.getHarness(
      MatProgressBarHarness.with({ selector: 'bh-quota-bar mat-progress-bar' }),
    );
    expect(await bar.getValue()).toBe(50);
  });

  it('sorts on the server when a column header is clicked', async () => {
    const sort = await loader.getHarness(MatSortHarness);
    const [, size] = await sort.getSortHeaders();
    await size!.click();
    const req = expectList();
    expect(req.request.params.get('sort')).toBe('size');
    expect(req.request.params.get('order')).toBe('asc');
    req.flush({ path: '/home', total: 3, items: entries });
  });

  it('offers actions on the selection and deletes it after confirmation', async () => {
    const boxes = await loader.getAllHarnesses(MatCheckboxHarness);
    await boxes[1]!.check();
    await boxes[2]!.check();
    expect(
      await (await loader.getHarness(MatButtonHarness.with({ text: /Delete/ }))).isDisabled(),
    ).toBeFalse();
    expect(await boxes[0]!.isIndeterminate()).toBeTrue();
    await (await loader.getHarness(MatButtonHarness.with({ text: /Delete/ }))).click();
    const confirm = await root.getHarness(MatDialogHarness);
    expect(await confirm.getTitleText()).toBe('Delete 2 items?');
    expect(await confirm.getContentText()).toContain('Folders are deleted with everything in them.');
    await (await confirm.getHarness(MatButtonHarness.with({ text: 'Delete' }))).click();
    const first = http.expectOne((r) => r.method === 'DELETE');
    expect(first.request.params.get('path')).toBe('/home/docs');
    first.flush(null, { status: 204, statusText: 'No Content' });
    const second = http.expectOne((r) => r.method === 'DELETE');
    expect(second.request.params.get('path')).toBe('/home/a.txt');
    second.flush(null, { status: 204, statusText: 'No Content' });
    flushHome([entries[2]!]);
    http.expectOne('/api/me/usage').flush({ usedBytes: 0, quotaBytes: null, availableBytes: 1 });
  });

  it("keeps the new-folder dialog open with the server's message when the name is taken (409)", async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /New folder/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    const input = await dialog.getHarness(MatInputHarness);
    await input.setValue('docs');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create' }))).click();
    const mkdir = http.expectOne('/api/files/mkdir');
    expect(mkdir.request.body).toEqual({ path: '/home/docs' });
    mkdir.flush(apiError('ALREADY_EXISTS', '/home/docs already exists.'), {
      status: 409,
      statusText: 'Conflict',
    });
    expect(await (await dialog.host()).text()).toContain('/home/docs already exists.');
    expect((await root.getAllHarnesses(MatDialogHarness)).length).toBe(1);
  });

  it('refuses a name with a slash before asking the server', async () => {
    await (await loader.getHarness(MatButtonHarness.with({ text: /New folder/ }))).click();
    const dialog = await root.getHarness(MatDialogHarness);
    await (await dialog.getHarness(MatInputHarness)).setValue('a/b');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Create' }))).click();
    expect(await (await dialog.host()).text()).toContain('A name cannot contain /.');
    http.expectNone('/api/files/mkdir');
  });

  it('moves one entry to the path typed in the dialog', async () => {
    const menu = await loader.getHarness(
      MatMenuHarness.with({ selector: '[aria-label="Actions for a.txt"]' }),
    );
    await menu.open();
    await menu.clickItem({ text: /Move/ });
    const dialog = await root.getHarness(MatDialogHarness);
    const input = await dialog.getHarness(MatInputHarness);
    expect(await input.getValue()).toBe('/home/a.txt');
    await input.setValue('media//a.txt');
    await (await dialog.getHarness(MatButtonHarness.with({ text: 'Move' }))).click();
    const move = http.expectOne('/api/files/move');
    expect(move.request.body).toEqual({ from: '/home/a.txt', to: '/media/a.txt', overwrite: false });
    move.flush({ created: true });
    flushHome();
    http.expectOne('/api/me/usage').flush({ usedBytes: 0, quotaBytes: null, availableBytes: 1 });
    expect(await root.getAllHarnesses(MatDialogHarness)).toEqual([]);
  });

  it('disables rename, move and delete on entries the caller may not change', async () => {
    const menu = await loader.getHarness(
      MatMenuHarness.with({ selector: '[aria-label="Actions for locked.bin"]' }),
    );
    await menu.open();
    const items = await menu.getItems();
    // An item's text starts with its icon's ligature name: "editRename".
    const disabled = await Promise.all(
      items.map(async (i) => `${(await i.getText()).replace(/^[a-z_]+/, '')}:${await i.isDisabled()}`),
    );
    expect(disabled).toEqual(['Download:false', 'Rename:true', 'Move:true', 'Copy:false', 'Delete:true']);
  });

  it('shows each upload with a progress bar and a cancel button', async () => {
    const picker = (fixture.nativeElement as HTMLElement).querySelector<HTMLInputElement>('input[type=file]');
    expect(picker).not.toBeNull();
    const transfer = new DataTransfer();
    transfer.items.add(new File(['x'.repeat(100)], 'up.bin'));
    picker!.files = transfer.files;
    picker!.dispatchEvent(new Event('change'));
    const put = http.expectOne((r) => r.method === 'PUT');
    expect(put.request.params.get('path')).toBe('/home/up.bin');
    const bar = await loader.getHarness(
      MatProgressBarHarness.with({ selector: '[aria-label="Uploading up.bin"]' }),
    );
    expect(await bar.getValue()).toBe(0);
    await (
      await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Cancel up.bin"]' }))
    ).click();
    expect(put.cancelled).toBeTrue();
    expect(
      await (await loader.getHarness(MatButtonHarness.with({ text: 'Retry' }))).isDisabled(),
    ).toBeFalse();
  });
});
