"""Build the demo district (珠海市香洲区), or benchmark-sized trees in bulk."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from dangjian.demo import builder, bulk


class Command(BaseCommand):
    help = (
        "建立演示数据：默认按珠海市香洲区建一个演示区（街道、社区、网格、小区、楼栋、驻区单位、职能部门、"
        "党组织和各角色的演示账号），全部经由业务服务写入并留审计记录；库中已有区时不做任何事。"
        "--scale city / province 以批量插入的方式生成基准测试规模的数据（不经服务，不建账号，不写审计记录），"
        "可在已有数据的库上运行，每次新增一棵区级树。相同 --seed 生成相同的数据。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", *bulk.SCALES],
            default="demo",
            help="demo：香洲区演示数据（默认）；city：约 1 个区、8 个街道、130 个社区、600 个网格、450 个小区、"
            "5000 栋楼、2500 个党组织；province：约 100 个区、1000 个街道、1 万个社区、5 万个网格、5 万个小区、"
            "20 万栋楼、5 万个党组织。批量规模不建账号、不写审计记录。",
        )
        parser.add_argument("--seed", type=int, default=builder.DEFAULT_SEED, help="随机种子（默认 %(default)s）。")
        parser.add_argument("--batch-size", type=int, default=bulk.BATCH_SIZE, help="批量插入每批行数（仅批量规模）。")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条（仅批量规模）。")

    def handle(self, *args, scale: str, seed: int, batch_size: int, no_progress: bool, **options):
        started = time.perf_counter()
        if scale == "demo":
            existing = builder.existing_district()
            if existing is not None:
                self.stdout.write(f"库中已有区「{existing.name}」，未做任何改动。")
                return
            builder.build_demo_district(seed=seed)
            self.stdout.write(
                self.style.SUCCESS(
                    f"演示区「{builder.DISTRICT_NAME}」已建立（{time.perf_counter() - started:.1f} 秒）。"
                )
            )
            self.stdout.write("  ".join(f"{label} {n}" for label, n in builder.summary()))
            self.stdout.write(f"演示账号密码：{builder.DEMO_PASSWORD}")
            return
        counts = bulk.build_scale(scale, seed=seed, batch_size=batch_size, progress=not no_progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"已批量生成 {scale} 规模数据（{time.perf_counter() - started:.1f} 秒，未建账号和审计记录）。"
            )
        )
        self.stdout.write("  ".join(f"{label} {n}" for label, n in counts.items()))
