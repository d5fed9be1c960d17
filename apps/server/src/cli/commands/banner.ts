import type { Command } from 'commander';
import { BANNER_CONSENT_PATH } from '../../modules/banner/banner.routes.ts';
import { type CommandContext, print } from '../context.ts';
import { CliError, EXIT } from '../io.ts';

/** `lawful banner sites|snippet`: what the banner serves, and the tag to paste into a site's <head>. */
export const registerBannerCommands = (program: Command, ctx: CommandContext) => {
  const banner = program.command('banner').description('The cookie banner: sites and embed snippets');
  banner
    .command('sites')
    .description('List the sites that embed the banner')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .action(async (opts: { tenant: string }) => {
      const rt = await ctx.runtime();
      const t = await rt.services.tenants.resolve(opts.tenant);
      const sites = await rt.services.banner.sites.list(t.id);
      print(
        ctx,
        sites.length
          ? sites.map(
              (s) =>
                `${s.id}  v${s.version}  ${s.definition.name}  notice=${s.definition.noticeKey}  ${s.definition.jurisdiction}  ${s.definition.allowedOrigins.join(',')}`,
            )
          : 'no sites',
        sites.map(({ publishableKey: _k, ...s }) => s),
      );
    });
  banner
    .command('snippet')
    .description('The embed tag for a site, and its SRI-pinned alternative')
    .requiredOption('--tenant <id-or-slug>', 'the tenant')
    .requiredOption('--site <siteId>', 'the site (sit_…)')
    .option('--base-url <url>', 'the public URL of this Lawful server (default: LAWFUL_PUBLIC_URL)')
    .action(async (opts: { tenant: string; site: string; baseUrl?: string }) => {
      const rt = await ctx.runtime();
      const base = (opts.baseUrl ?? rt.config.publicUrl)?.replace(/\/$/, '');
      if (!base)
        throw new CliError('give --base-url or set LAWFUL_PUBLIC_URL: the tag needs an absolute URL', EXIT.usage);
      const t = await rt.services.tenants.resolve(opts.tenant);
      await rt.services.banner.sites.get(t.id, opts.site);
      const s = await rt.services.banner.scripts.latest(opts.site, `${base}${BANNER_CONSENT_PATH}`);
      const tag = `<script src="${base}/v1/banner/${opts.site}.js"></script>`;
      const pinned = `<script src="${base}${s.pinnedPath}" integrity="${s.integrity}" crossorigin="anonymous"></script>`;
      print(
        ctx,
        [
          '# latest config (a site or notice change shows within a minute):',
          tag,
          '# or pinned and SRI-checked (shows a new notice only when you update this tag):',
          pinned,
        ],
        {
          tag,
          pinned: { url: `${base}${s.pinnedPath}`, integrity: s.integrity, tag: pinned },
          bannerVersion: s.bannerVersion,
        },
      );
    });
};
