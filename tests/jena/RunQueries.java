// Runs SPARQL query files with Apache Jena (ARQ, or TDB2) and writes each result as W3C SPARQL
// Results JSON, one JVM for all queries. Used by tests/test_conformance.py as the independent
// reference engine.
//
//   java -cp CP RunQueries.java arq  DATA.nt  -       QUERY_DIR OUT_DIR
//   java -cp CP RunQueries.java tdb2 DATA.nq  TDB_DIR QUERY_DIR OUT_DIR
//   java -cp CP RunQueries.java rset XML_DIR  OUT_DIR
//
// arq: the default graph is the RDF merge of DATA (an N-Triples file). tdb2: DATA (N-Quads) is
// loaded into a TDB2 database and queried with tdb2:unionDefaultGraph, the union of its named
// graphs. A query that fails writes NAME.err with the message instead of NAME.srj. rset reads each
// W3C XML results file NAME.srx with Jena's reader and writes it back as NAME.srj.
import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.Arrays;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.sparql.resultset.ResultsFormat;
import org.apache.jena.rdf.model.Model;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.sys.JenaSystem;
import org.apache.jena.tdb2.TDB2;
import org.apache.jena.tdb2.TDB2Factory;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        JenaSystem.init();
        String mode = args[0];
        if (mode.equals("rset")) {
            File[] xml = new File(args[1]).listFiles((d, n) -> n.endsWith(".srx"));
            Arrays.sort(xml);
            File dest = new File(args[2]);
            dest.mkdirs();
            for (File f : xml) {
                String name = f.getName().substring(0, f.getName().length() - 4);
                try (OutputStream os = new FileOutputStream(new File(dest, name + ".srj"))) {
                    ResultSetFormatter.outputAsJSON(os, ResultSetFactory.load(f.getPath(), ResultsFormat.FMT_RS_XML));
                }
            }
            return;
        }
        boolean tdb2 = mode.equals("tdb2");
        Dataset ds;
        if (tdb2) {
            ds = TDB2Factory.connectDataset(args[2]);
            final Dataset target = ds;
            ds.executeWrite(() -> RDFDataMgr.read(target, args[1]));
        } else {
            Model model = RDFDataMgr.loadModel(args[1]);
            ds = DatasetFactory.create(model);
        }
        File[] files = new File(args[3]).listFiles((d, n) -> n.endsWith(".rq"));
        Arrays.sort(files);
        File out = new File(args[4]);
        out.mkdirs();
        for (File f : files) {
            String name = f.getName().substring(0, f.getName().length() - 3);
            String text = Files.readString(f.toPath());
            final Dataset data = ds;
            Runnable run = () -> {
                try (OutputStream os = new FileOutputStream(new File(out, name + ".srj"))) {
                    Query q = QueryFactory.create(text);
                    try (QueryExecution qe = QueryExecutionFactory.create(q, data)) {
                        if (tdb2) {
                            qe.getContext().set(TDB2.symUnionDefaultGraph, true);
                        }
                        if (q.isAskType()) {
                            ResultSetFormatter.outputAsJSON(os, qe.execAsk());
                        } else {
                            ResultSetFormatter.outputAsJSON(os, qe.execSelect());
                        }
                    }
                } catch (Exception e) {
                    new File(out, name + ".srj").delete();
                    try (PrintWriter w = new PrintWriter(new File(out, name + ".err"))) {
                        w.println(e.toString());
                    } catch (Exception ignored) {
                    }
                }
            };
            if (tdb2) {
                ds.executeRead(run);
            } else {
                run.run();
            }
        }
    }
}
