"""spark-submit entry of `takedowns spark`: the same arguments, on the cluster spark-submit names.

    spark-submit --master yarn ... scripts/spark_job.py s3a://bucket/warcs/ --out s3a://bucket/out

spark-submit runs its main file as a script, which puts the file's own directory first on
sys.path; this launcher lives outside ``pipeline/`` so that ``pipeline/numbers.py`` cannot
shadow the standard library's ``numbers`` module.
"""

from pipeline.spark import main

if __name__ == "__main__":
    main()
